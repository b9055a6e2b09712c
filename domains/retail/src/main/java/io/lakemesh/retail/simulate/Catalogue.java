package io.lakemesh.retail.simulate;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Philippine grocery or sari-sari store sells: common local brands at typical shelf prices in PHP
 * (late 2026). Product ids follow the order of the list, so keep appending rather than inserting.
 */
final class Catalogue {

    record Product(String id, String name, String brand, String category, BigDecimal unitPrice) {}

    static final List<Product> PRODUCTS = build(
            // noodles
            row("noodles", "Lucky Me", "Lucky Me Pancit Canton Original", "15.25"),
            row("noodles", "Lucky Me", "Lucky Me Pancit Canton Chilimansi", "15.25"),
            row("noodles", "Lucky Me", "Lucky Me Instant Mami Beef", "11.75"),
            row("noodles", "Lucky Me", "Lucky Me Supreme La Paz Batchoy", "21.50"),
            row("noodles", "Nissin", "Nissin Cup Noodles Seafood", "29.00"),
            row("noodles", "Nissin", "Nissin Ramen Spicy Seafood", "14.50"),
            row("noodles", "Payless", "Payless Xtra Big Pancit Canton", "18.75"),
            row("noodles", "Nissin", "Nissin Yakisoba Spicy Beef", "19.00"),
            // beverages
            row("beverages", "Coca-Cola", "Coca-Cola Original 1.5L", "75.00"),
            row("beverages", "Royal", "Royal Tru-Orange 1.5L", "70.00"),
            row("beverages", "Sprite", "Sprite Lemon-Lime 1.5L", "70.00"),
            row("beverages", "C2", "C2 Green Tea Apple 500ml", "30.00"),
            row("beverages", "Zesto", "Zesto Orange Juice Drink 200ml", "12.00"),
            row("beverages", "Nescafé", "Nescafé Original 3-in-1 Twin Pack", "17.50"),
            row("beverages", "Kopiko", "Kopiko Brown Coffee 27.5g", "9.50"),
            row("beverages", "Milo", "Milo Activ-Go 22g", "10.50"),
            row("beverages", "Absolute", "Absolute Distilled Drinking Water 1L", "25.00"),
            row("beverages", "Cobra", "Cobra Energy Drink Original 350ml", "24.00"),
            // snacks
            row("snacks", "Jack 'n Jill", "Piattos Cheese 85g", "38.50"),
            row("snacks", "Jack 'n Jill", "Nova Country Cheddar 78g", "37.00"),
            row("snacks", "Jack 'n Jill", "Chippy Barbecue 110g", "36.00"),
            row("snacks", "Oishi", "Oishi Prawn Crackers 60g", "20.00"),
            row("snacks", "SkyFlakes", "SkyFlakes Crackers 10 x 25g", "62.00"),
            row("snacks", "Rebisco", "Rebisco Crackers 10 x 32g", "58.00"),
            row("snacks", "Boy Bawang", "Boy Bawang Cornick Garlic 100g", "32.00"),
            row("snacks", "Choc Nut", "Choc Nut Milk Chocolate 24 pcs", "72.00"),
            row("snacks", "Hansel", "Hansel Mocha Sandwich 10 x 31g", "62.00"),
            // canned goods
            row("canned goods", "Century", "Century Tuna Flakes in Oil 155g", "38.50"),
            row("canned goods", "555", "555 Sardines in Tomato Sauce 155g", "22.00"),
            row("canned goods", "Ligo", "Ligo Sardines in Tomato Sauce 155g", "24.50"),
            row("canned goods", "Argentina", "Argentina Corned Beef 150g", "42.00"),
            row("canned goods", "Purefoods", "Purefoods Corned Beef 150g", "58.00"),
            row("canned goods", "CDO", "CDO Karne Norte 150g", "36.00"),
            row("canned goods", "Spam", "Spam Classic 340g", "215.00"),
            row("canned goods", "Del Monte", "Del Monte Pineapple Tidbits 227g", "45.00"),
            row("canned goods", "Mega", "Mega Sardines Green 155g", "23.00"),
            // personal care
            row("personal care", "Safeguard", "Safeguard Pure White Bar 130g", "55.00"),
            row("personal care", "Palmolive", "Palmolive Naturals Shampoo 12ml", "7.00"),
            row("personal care", "Sunsilk", "Sunsilk Smooth & Manageable Shampoo 13ml", "7.50"),
            row("personal care", "Creamsilk", "Creamsilk Standout Straight Conditioner 11ml", "8.00"),
            row("personal care", "Head & Shoulders", "Head & Shoulders Cool Menthol 12ml", "8.50"),
            row("personal care", "Colgate", "Colgate Great Regular Flavor 150ml", "115.00"),
            row("personal care", "Hapee", "Hapee Fresh Toothpaste 100ml", "58.00"),
            row("personal care", "Modess", "Modess Cottony Soft Napkin 8s", "42.00"),
            // household
            row("household", "Surf", "Surf Powder Cherry Blossom 65g", "9.50"),
            row("household", "Tide", "Tide Powder Original 66g", "11.00"),
            row("household", "Ariel", "Ariel Powder Sunrise Fresh 66g", "14.50"),
            row("household", "Downy", "Downy Garden Bloom 27ml", "7.50"),
            row("household", "Joy", "Joy Dishwashing Liquid Calamansi 250ml", "58.00"),
            row("household", "Zonrox", "Zonrox Bleach Original 500ml", "32.00"),
            row("household", "Champion", "Champion Detergent Bar 390g", "28.00"),
            row("household", "Baygon", "Baygon Multi-Insect Killer 500ml", "240.00"),
            // dairy
            row("dairy", "Bear Brand", "Bear Brand Fortified Powdered Milk 33g", "13.50"),
            row("dairy", "Alaska", "Alaska Evaporada 370ml", "36.00"),
            row("dairy", "Alaska", "Alaska Condensada 300ml", "48.00"),
            row("dairy", "Nestlé", "Nestlé All Purpose Cream 250ml", "68.00"),
            row("dairy", "Eden", "Eden Filled Cheese 165g", "62.00"),
            row("dairy", "Magnolia", "Magnolia Fresh Milk 1L", "105.00"),
            row("dairy", "Birch Tree", "Birch Tree Fortified Powdered Milk 33g", "14.00"),
            // rice & grains
            row("rice & grains", "Doña Maria", "Doña Maria Jasponica Brown Rice 2kg", "235.00"),
            row("rice & grains", "Harvester's", "Harvester's Sinandomeng Rice 5kg", "285.00"),
            row("rice & grains", "Harvester's", "Harvester's Dinorado Rice 2kg", "180.00"),
            row("rice & grains", "Golden Phoenix", "Golden Phoenix Jasmine Rice 5kg", "345.00"),
            row("rice & grains", "Quaker", "Quaker Quick Cooking Oats 400g", "95.00"),
            row("rice & grains", "Maya", "Maya Hotcake Mix Original 200g", "39.00"),
            // condiments
            row("condiments", "Datu Puti", "Datu Puti Vinegar 1L", "42.00"),
            row("condiments", "Datu Puti", "Datu Puti Soy Sauce 1L", "48.00"),
            row("condiments", "Silver Swan", "Silver Swan Soy Sauce 1L", "52.00"),
            row("condiments", "UFC", "UFC Banana Catsup 320g", "36.00"),
            row("condiments", "Jufran", "Jufran Banana Sauce 320g", "34.00"),
            row("condiments", "Mang Tomas", "Mang Tomas All-Around Sarsa 330g", "45.00"),
            row("condiments", "Knorr", "Knorr Sinigang sa Sampalok Mix 44g", "28.00"),
            row("condiments", "Ajinomoto", "Ajinomoto Magic Sarap 8g", "4.50"),
            row("condiments", "Lady's Choice", "Lady's Choice Real Mayonnaise 220ml", "92.00"),
            row("condiments", "Rufina", "Rufina Patis 350ml", "38.00"),
            // frozen
            row("frozen", "Purefoods", "Purefoods Tender Juicy Hotdog 1kg", "235.00"),
            row("frozen", "Purefoods", "Purefoods Chicken Nuggets 200g", "95.00"),
            row("frozen", "CDO", "CDO Funtastyk Young Pork Tocino 225g", "75.00"),
            row("frozen", "Pampanga's Best", "Pampanga's Best Pork Tocino 450g", "145.00"),
            row("frozen", "Virginia", "Virginia Classic Hotdog 1kg", "210.00"),
            row("frozen", "Mekeni", "Mekeni Skinless Longganisa 250g", "89.00"),
            row("frozen", "Magnolia", "Magnolia Chicken Nuggets 200g", "99.00"),
            row("frozen", "Selecta", "Selecta Ube Macapuno Ice Cream 750ml", "175.00"));

    private Catalogue() {
    }

    private record Row(String category, String brand, String name, String price) {}

    private static Row row(String category, String brand, String name, String price) {
        return new Row(category, brand, name, price);
    }

    private static List<Product> build(Row... rows) {
        List<Product> products = new ArrayList<>(rows.length);
        for (Row row : rows) {
            products.add(new Product(String.format("P-%04d", products.size() + 1), row.name(), row.brand(),
                    row.category(), new BigDecimal(row.price())));
        }
        return List.copyOf(products);
    }
}
