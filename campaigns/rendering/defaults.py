"""The template used when none is named, and the starting point of a new one in the admin."""

from campaigns.rendering.email import TemplateSource

DEFAULT_TEMPLATE = TemplateSource(
    subject=(
        "{% if customer.first_name %}{{ customer.first_name }}, w{% else %}W{% endif %}e picked these for you"
    ),
    preheader=(
        "{% if interests %}New for lovers of {{ interests[0] }}{% else %}This week's favourites{% endif %}"
    ),
    html_body="""{{ greeting() }}
<p>Here is what we think you will like this week.</p>
{{ products(limit=4, columns=2) }}
{% if interests %}
<h2>Because you love</h2>
{{ interest_tags() }}
{% endif %}
{{ vision_board_image() }}
{{ button("Visit the shop", shop_url) }}
""",
)
